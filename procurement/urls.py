from django.urls import path, re_path

from procurement import views

app_name = "procurement"

PROJECT_ACTIONS = "publish|open|panel|award|cancel|retender|terminate"

urlpatterns = [
    path("procurements/", views.project_list, name="project_list"),
    path("procurements/new/", views.project_create, name="project_create"),
    path("procurements/tenders/", views.tenders, name="tenders"),
    path("procurements/panels/", views.my_panels, name="my_panels"),
    path("procurements/<int:pk>/", views.project_detail, name="project_detail"),
    path("procurements/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("procurements/<int:pk>/contract/", views.contract, name="contract"),
    path("procurements/<int:pk>/bid/", views.bid, name="bid"),
    path("procurements/<int:pk>/challenge/", views.challenge, name="challenge"),
    path("procurements/<int:pk>/score/", views.score, name="score"),
    re_path(
        rf"^procurements/(?P<pk>[0-9]+)/(?P<action>{PROJECT_ACTIONS})/$",
        views.project_action,
        name="project_action",
    ),
    path("procurement-bids/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("procurement-challenges/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("procurement-clawbacks/<int:pk>/recover/", views.recover, name="recover"),
    path("procurement-clawbacks/<int:pk>/write-off/", views.write_off, name="write_off"),
    path("procurements/<int:pk>/invite/", views.invite, name="invite"),
    path("procurements/<int:pk>/review/", views.review, name="review"),
    path("procurement-suppliers/<int:pk>/", views.supplier_record, name="supplier_record"),
    path("procurement-suppliers/<int:pk>/lift/", views.lift, name="lift"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone_detail"),
    path("milestones/<int:pk>/report/", views.report, name="report"),
    re_path(
        r"^milestones/(?P<pk>[0-9]+)/(?P<action>inspect|accept|pay|sample|assign-evaluator)/$",
        views.milestone_action,
        name="milestone_action",
    ),
    path("c/<str:token>/", views.confirm, name="confirm"),
    path("procurement-bid-files/<int:pk>/", views.bid_document, name="bid_document"),
    re_path(
        r"^procurement-files/(?P<kind>evidence|original|inspection)/(?P<pk>[0-9]+)/$",
        views.evidence_file,
        name="evidence_file",
    ),
]
