from django.urls import path

from forecasts import views

urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("experts/<slug:slug>/", views.expert_detail, name="expert-detail"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
]
