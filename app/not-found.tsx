import Link from "next/link";

export default function NotFound() {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>That page does not exist, or you do not have access to it.</p>
      <Link href="/">Back to projects</Link>
    </div>
  );
}
