from django.urls import path

from misto.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.index, name="index"),
    path("ballot/", views.ballot, name="ballot"),
    path("polls/<int:poll_id>/", views.poll, name="poll"),
    path("polls/<int:poll_id>/vote/", views.vote, name="vote"),
    path("polls/<int:poll_id>/ballots/", views.ballots, name="ballots"),
    path("hearings/<int:hearing_id>/", views.hearing, name="hearing"),
    path("hearings/<int:hearing_id>/comment/", views.comment, name="comment"),
    path("staff/", views.staff, name="staff"),
    path("staff/polls/", views.create_poll, name="create-poll"),
    path("staff/polls/<int:poll_id>/", views.poll_state, name="poll-state"),
    path("staff/hearings/", views.create_hearing, name="create-hearing"),
    path("staff/hearings/<int:hearing_id>/", views.hearing_state, name="hearing-state"),
    path("staff/comments/<int:comment_id>/hide/", views.hide, name="hide"),
]
