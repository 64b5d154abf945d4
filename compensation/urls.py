from django.urls import path

from compensation import views

app_name = "compensation"

urlpatterns = [
    path("compensation/", views.claim_list, name="claim_list"),
    path("compensation/new/", views.claim_create, name="claim_create"),
    path("compensation/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("compensation/<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
    path("compensation/evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
