from django.urls import path, re_path

from preparedness import views

app_name = "preparedness"

urlpatterns = [
    path("drills/", views.drill_list, name="drill_list"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("drills/summary/", views.summary, name="summary"),
    path("drills/<int:pk>/", views.drill_detail, name="drill_detail"),
    path("drills/<int:pk>/injects/", views.inject_add, name="inject_add"),
    path(
        "drills/<int:pk>/objectives/<int:objective_id>/review/",
        views.objective_review,
        name="objective_review",
    ),
    re_path(
        r"^drills/(?P<pk>\d+)/(?P<action>run|end|close)/$",
        views.drill_action,
        name="drill_action",
    ),
    path("followups/", views.followup_list, name="followup_list"),
    path("followups/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("followups/<int:pk>/complete/", views.followup_complete, name="followup_complete"),
    path("followups/<int:pk>/carry-over/", views.followup_carry_over, name="followup_carry_over"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision, name="meeting_decision"),
    path("meetings/<int:pk>/attachments/", views.meeting_attachment, name="meeting_attachment"),
    path("meetings/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
