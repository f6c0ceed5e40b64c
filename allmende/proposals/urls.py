from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("<slug:slug>/vorschlaege/", views.proposal_list, name="list"),
    path("<slug:slug>/vorschlaege/neu/", views.proposal_create, name="create"),
    path("<slug:slug>/vorschlaege/aehnlich/", views.similar_proposals, name="similar"),
    path("<slug:slug>/vorschlaege/<int:number>/", views.proposal_detail, name="detail"),
    path("<slug:slug>/vorschlaege/<int:number>/bearbeiten/", views.proposal_edit, name="edit"),
    path("<slug:slug>/vorschlaege/<int:number>/zurueckziehen/", views.proposal_withdraw, name="withdraw"),
    path("<slug:slug>/vorschlaege/<int:number>/bewerten/", views.proposal_rate, name="rate"),
]
