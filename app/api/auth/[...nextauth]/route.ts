import { unstable_rethrow } from 'next/navigation';
import NextAuth from 'next-auth';
import { getAuthOptions } from '@/server/auth/options';
import { HTTP_STATUS } from '@/server/errors';
import { toPublicError } from '@/server/public-error';

// Sign-in itself is necessarily open to anonymous callers; next-auth guards it with CSRF and state checks.
type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: Context) {
  const [action, provider] = (await context.params).nextauth;
  // next-auth throws on a GET of the credentials callback (a form post only): a bad request, not a fault.
  if (request.method !== 'POST' && action === 'callback' && provider === 'credentials') {
    return Response.json(
      {
        error: { code: 'invalid_input', message: 'Sign-in with a password is a POST from the sign-in form.' },
      },
      { status: 405, headers: { allow: 'POST' } },
    );
  }
  try {
    return await NextAuth(request as never, context as never, getAuthOptions());
  } catch (error) {
    // next-auth answers some redirects with next/navigation's redirect(), which throws.
    unstable_rethrow(error);
    const body = toPublicError(error, `sign-in ${action ?? ''}`);
    return Response.json({ error: body }, { status: HTTP_STATUS[body.code] });
  }
}

export { handler as GET, handler as POST };
