from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", views.volunteer_new, name="volunteer_new"),
    path("volunteers/<int:pk>/verify/", views.volunteer_verify, name="volunteer_verify"),
    path("volunteer-calls/", views.call_list, name="call_list"),
    path("volunteer-calls/new/", views.call_new, name="call_new"),
    path("volunteer-calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("volunteer-calls/<int:pk>/code/", views.call_request_code, name="call_request_code"),
    path("volunteer-calls/<int:pk>/confirm/", views.call_confirm, name="call_confirm"),
    path("volunteer-calls/<int:pk>/<str:action>/", views.call_action, name="call_action"),
    path("sign-ups/<int:pk>/cancel/", views.sign_up_cancel, name="sign_up_cancel"),
]
