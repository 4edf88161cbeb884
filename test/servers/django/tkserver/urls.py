from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView


@api_view(["GET"])
def me(request):
    """The protected view: 401 without a valid access token, else the user."""
    return Response({"id": request.user.id, "username": request.user.username})


urlpatterns = [
    path("api/token/", TokenObtainPairView.as_view()),
    path("api/token/refresh/", TokenRefreshView.as_view()),
    path("api/token/blacklist/", TokenBlacklistView.as_view()),
    path("api/me", me),
]
