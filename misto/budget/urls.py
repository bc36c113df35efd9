from django.urls import path

from misto.budget import views

app_name = "budget"

urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_list, name="review"),
    path("review/<int:project_id>/", views.review_project, name="review-project"),
    path("ballot/", views.ballot, name="ballot"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("projects/<int:project_id>/", views.project, name="project"),
    path("projects/<int:project_id>/answer/", views.answer, name="answer"),
    path("projects/<int:project_id>/progress/", views.progress, name="progress"),
    path("<str:number>/", views.round_page, name="round"),
    path("<str:number>/propose/", views.propose, name="propose"),
    path("<str:number>/vote/", views.vote, name="vote"),
    path("<str:number>/recount/", views.recount, name="recount"),
    path("<str:number>/phase/", views.phase, name="phase"),
    path("<str:number>/pabulib.pb", views.pabulib, name="pabulib"),
]
