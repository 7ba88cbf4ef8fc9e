import { Link } from '../components/Link';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="py-10 text-center" data-testid="not-found">
      <h1 className="text-xl font-semibold">Nothing at {path}</h1>
      <p className="mt-2 text-sm text-slate-600">
        <Link href="/" className="link">
          Back to the dashboard
        </Link>
      </p>
    </div>
  );
}
