from django.urls import path

from registry import views, views_hubs, views_insurance

app_name = "registry"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.edit_profile, name="edit_profile"),
    path("organizations/<int:pk>/capabilities/new/", views.capability_form, name="capability_new"),
    path(
        "organizations/<int:pk>/capabilities/<int:capability_id>/",
        views.capability_form,
        name="capability_edit",
    ),
    path("organizations/<int:pk>/members/", views.members, name="members"),
    path("organizations/<int:pk>/documents/", views.documents, name="documents"),
    path("organizations/<int:pk>/decide/", views.decide, name="decide"),
    path("organizations/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("capabilities/<int:capability_id>/assess/", views.assess, name="assess"),
    path("capabilities/<int:capability_id>/revoke/", views.revoke, name="revoke"),
    path("organizations/<int:pk>/insurance/", views_insurance.insurance, name="insurance"),
    path("insurance/<int:pk>/remove/", views_insurance.remove_insurance, name="insurance_remove"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("invitations/", views.invitations, name="invitations"),
    path("register/", views.register, name="register"),
    path("hubs/", views_hubs.hubs, name="hubs"),
    path("hubs/teams/new/", views_hubs.vouch_team, name="vouch_team"),
    path("hubs/teams/<int:pk>/", views_hubs.team_detail, name="hub_team"),
    path("hubs/links/new/", views_hubs.propose_link, name="hub_link_new"),
    path("hubs/links/<int:pk>/<str:action>/", views_hubs.link_action, name="hub_link_action"),
    path("organizations/<int:pk>/hub/", views_hubs.designate, name="designate_hub"),
]
