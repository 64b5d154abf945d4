"""Liaison pages (docs/liaison.md)."""

from django.urls import path

from liaison import views

app_name = "liaison"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/edit/", views.directory_edit, name="directory_edit"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/<str:action>/", views.notice_action, name="notice_action"),
    path("field-reports/", views.report_list, name="report_list"),
    path("field-reports/new/", views.report_create, name="report_create"),
    path("field-reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("field-reports/<int:pk>/<str:action>/", views.report_action, name="report_action"),
    path("check-ins/", views.check_ins, name="check_ins"),
    path("check-ins/<int:pk>/", views.check_in, name="check_in"),
]
