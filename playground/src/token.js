// The bearer token the page signs every request with, kept in localStorage so
// that a reload (or the next visit) stays signed in. Nothing else is stored
// by this file; GraphiQL keeps its own tabs and history there too.
const STORAGE_KEY = 'mailgate.playground.token';

// Accepts what people paste: the bare JWT, "Bearer <jwt>", or the demo's
// whole "TOKEN <user> <jwt>" line (the token is then its last word).
export function normalizeToken(text) {
  const words = String(text ?? '').trim().split(/\s+/).filter(Boolean);
  return words.length === 0 ? '' : words[words.length - 1];
}

export function loadToken() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    // Storage can be disabled (private modes, policies): the field still works for this page.
    return '';
  }
}

export function saveToken(token) {
  try {
    if (token) {
      window.localStorage.setItem(STORAGE_KEY, token);
    } else {
      window.localStorage.removeItem(STORAGE_KEY);
    }
  } catch {
    // See loadToken: not persisting is the only loss.
  }
}
