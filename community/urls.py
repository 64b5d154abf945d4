"""Community pages (docs/coordination.md, "Routine needs and projects")."""

from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("community/", views.overview, name="overview"),
    path("community/needs/new/", views.need_create, name="need_create"),
    path("community/needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("community/needs/<int:pk>/confirm/", views.need_confirm, name="need_confirm"),
    path("community/projects/new/", views.project_create, name="project_create"),
    path("community/projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("community/projects/<int:pk>/needs/", views.project_link, name="project_link"),
    path("community/projects/<int:pk>/pledges/", views.project_pledge, name="project_pledge"),
]
