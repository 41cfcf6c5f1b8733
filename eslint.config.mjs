// Lint rules. The important one is architectural: lib/domain holds pure rules and may not
// reach for Next.js, the database or server code, so it stays testable and portable.
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: [".next/**", ".e2e-data/**", "data/**", "lib/generated/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["lib/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*", "next-auth", "next-auth/*"], message: "lib/domain is framework-free: no Next.js imports." },
            { group: ["@prisma/*", "prisma", "pg", "@/lib/generated/*", "**/generated/*"], message: "lib/domain is database-free: no Prisma or pg imports." },
            { group: ["@/lib/server/*", "**/server/*", "@/lib/infra/*", "**/infra/*", "server-only"], message: "lib/domain may not depend on server code." },
            { group: ["react", "react-dom", "react/*"], message: "lib/domain is UI-free." },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/lib/server/db", "@/lib/server/services/*", "@/lib/generated/*"], message: "Components get data through pages and actions, not the database." },
          ],
        },
      ],
    },
  },
);
