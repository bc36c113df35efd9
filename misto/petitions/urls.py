from django.urls import path

from misto.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules, name="rules"),
    path("new/", views.draft, name="draft"),
    path("drafts/<int:petition_id>/", views.edit, name="edit"),
    path("mine/", views.mine, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:petition_id>/", views.moderate, name="moderate"),
    path("answering/", views.answering, name="answering"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/count/", views.count, name="count"),
    path("<str:number>/sign/", views.sign, name="sign"),
    path("<str:number>/recount/", views.recount, name="recount"),
    path("<str:number>/signers/", views.signers, name="signers"),
    path("<str:number>/answer/", views.answer, name="answer"),
    path("<str:number>/activity/", views.activity, name="activity"),
]
