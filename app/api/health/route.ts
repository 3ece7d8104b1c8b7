// The one anonymous route: load balancers and the demo launcher poll it. It says nothing else.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'ok' });
}
