import NextAuth from 'next-auth';
import { getAuthOptions } from '@/server/auth/options';

// Sign-in itself is necessarily open to anonymous callers; next-auth guards it with CSRF and state checks.
type Context = { params: Promise<{ nextauth: string[] }> };

function handler(request: Request, context: Context) {
  return NextAuth(request as never, context as never, getAuthOptions());
}

export { handler as GET, handler as POST };
