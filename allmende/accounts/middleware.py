"""Django's authentication middleware, with `request.user` replaced by the person once they are read.

Django leaves `request.user` a lazy object for the whole request: every attribute read of it (a
permission check, a template's `user.is_authenticated`) goes through the proxy, about a microsecond each,
and a signed-in proposal page reads it some forty times. The person is still read lazily, at the first
use (so that a signed-in request's session and person come along with its first read of content
versions, accounts.sessions); from then on `request.user` is the person itself. Only references taken
before that first use keep the proxy, which still works.
"""

from django.contrib.auth import middleware
from django.utils.functional import SimpleLazyObject


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)

        def person():
            user = middleware.get_user(request)
            request.user = user
            return user

        request.user = SimpleLazyObject(person)
