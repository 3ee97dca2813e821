from rest_framework import authentication, exceptions

from workspaces.selectors import principal_for_key

BEARER_REALM = 'Bearer realm="api"'


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`; keys are looked up by their hash."""

    def authenticate(self, request):
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise exceptions.AuthenticationFailed("Malformed Authorization header; expected 'Bearer <key>'.")
        principal = principal_for_key(token)
        if principal is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return principal, principal

    def authenticate_header(self, request):
        return BEARER_REALM
