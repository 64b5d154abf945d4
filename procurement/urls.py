from django.urls import path

from procurement import views

app_name = "procurement"

urlpatterns = [
    path("procurements/", views.project_list, name="project_list"),
    path("procurements/<int:pk>/", views.project_detail, name="project_detail"),
]
