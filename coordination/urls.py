from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/3w.csv", views.incident_3w_csv, name="incident_3w_csv"),
    path("incidents/<int:pk>/<str:action>/", views.incident_action, name="incident_action"),
    path("incidents/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("incidents/<int:pk>/deployments/new/", views.deployment_create, name="deployment_create"),
    path("incidents/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("needs/<int:pk>/confirm/", views.need_confirm, name="need_confirm"),
    path("deployments/<int:pk>/roster/", views.deployment_roster, name="deployment_roster"),
    path("deployments/<int:pk>/<str:action>/", views.deployment_action, name="deployment_action"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("evidence/<int:pk>/", views.evidence_photo, name="evidence_photo"),
]
