// The Content-Security-Policy of every app page. It is sent as a response header by the app
// protocol and the session, and repeated in renderer/index.html's <meta> (minus frame-ancestors,
// which browsers ignore in a <meta>) so it holds however the page is loaded. No inline script, no
// eval, no remote code; connections only to the app itself.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** The same policy as it must appear in renderer/index.html's <meta> tag. */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');
