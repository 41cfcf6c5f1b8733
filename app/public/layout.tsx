// The public site: no login, nothing but published material (lib/server/services/public).
export default function PublicLayout({ children }: { children: React.ReactNode }) {
  return <div className="public-site">{children}</div>;
}
