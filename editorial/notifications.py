"""E-mail to the people a review step concerns, sent once the save that made it has committed:
an e-mail about a save that rolled back would announce what never happened.

- Submitted for review: everyone who may publish others' posts, superusers included.
- Changes requested, published, scheduled: the post's creator and the logins of its byline.

Never the person who took the step, nobody inactive or without an address, each address once,
one message each (nobody sees who else was told). A mail server that fails loses no save: the
failure is logged and the editor warned.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from posts.markup import counted
from posts.models import Byline

from .models import ReviewStep

logger = logging.getLogger(__name__)

Action = ReviewStep.Action
# with_perm() must be told which backend answers when several are configured (django-axes).
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"


def when(moment) -> str:
    """12 May 2026, 09:00 CEST: a moment in the site's time zone."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return dateformat.format(local, "j F Y, H:i T")


def name_of(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def recipients(step) -> list[str]:
    """The addresses the step concerns, in a stable order."""
    users = get_user_model().objects
    if step.action == Action.SUBMITTED:

        def holding(perm):
            return users.with_perm(perm, backend=PERMISSIONS_BACKEND).values("pk")

        people = users.filter(pk__in=holding("posts.publish_post")).filter(
            pk__in=holding("posts.edit_others_posts")
        )
    elif step.action in (Action.CHANGES_REQUESTED, Action.PUBLISHED, Action.SCHEDULED):
        writers = Byline.objects.filter(post=step.post_id).values("author__user")
        people = users.filter(Q(pk=step.post.created_by_id) | Q(pk__in=writers))
    else:
        return []
    people = people.filter(is_active=True).exclude(email="").exclude(pk=step.actor_id)
    addresses = people.order_by("pk").values_list("email", flat=True)
    return list(dict.fromkeys(addresses))


def send_on_commit(request, step):
    """E-mail the step once the current transaction commits (at once outside one)."""
    admin_url = request.build_absolute_uri(step.post.get_admin_url())
    transaction.on_commit(lambda: send(request, step, admin_url))


def send(request, step, admin_url):
    """Send the step's e-mails; a failure is logged and the editor warned, never raised."""
    addresses = recipients(step)
    if not addresses:
        return
    context = {
        "step": step,
        "post": step.post,
        "actor": name_of(step.actor),
        "note": step.note,
        "admin_url": admin_url,
        "site_name": settings.QUIRE_SITE_NAME,
        "published_at": when(step.post.published_at) if step.post.published_at else "",
    }
    subject = " ".join(render_to_string("editorial/email/subject.txt", context).split())
    body = render_to_string("editorial/email/body.txt", context)
    mails = [EmailMessage(subject, body, to=[address]) for address in addresses]
    try:
        get_connection().send_messages(mails)
    except (smtplib.SMTPException, OSError):
        logger.exception("The e-mail about %s (review step %s) was not sent", step, step.pk)
        messages.warning(
            request,
            f"The post was saved, but the e-mail about “{step.post}” could not be sent to "
            f"{counted(len(addresses), 'person', 'people')}: tell them yourself.",
        )
