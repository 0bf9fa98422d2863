"""The admin, with the editors' desk (editorial/dashboard.py) as its home page."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite


class DeskAdminSite(AdminSite):
    def index(self, request, extra_context=None):
        # Imported here: this module is read while apps load, before models may be imported.
        from editorial import dashboard

        context = {"desk": dashboard.desk(request.user), **(extra_context or {})}
        return super().index(request, context)


class DeskAdminConfig(AdminConfig):
    default_site = "cms.admin_site.DeskAdminSite"
