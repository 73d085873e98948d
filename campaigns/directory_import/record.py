"""What an import writes, on the record: a published revision and a log entry per
representative (old and new address, who, the operating-system user of a command-line run,
a pending draft superseded), and the unpublishing of those it removes but keeps."""

from wagtail.actions.unpublish import UnpublishAction
from wagtail.log_actions import log

from campaigns.models import Target

from . import log_action_names


class Recorder:
    """Publishes what an import writes as a revision, and logs it on the representative."""

    def __init__(self, directory, user, os_user: str):
        self.directory, self.user, self.os_user = directory, user, os_user
        self.by = user.get_username() if user else (f"{os_user} (command line)" if os_user else "")

    def publish(self, target: Target, *, old_email: str, created: bool = False) -> None:
        superseded = target.live and target.has_unpublished_changes
        unpublished_match = not target.live and not created
        # The import's revision becomes the latest: an Editor's older draft, published
        # later, would otherwise put the old address back.
        revision = target.save_revision(user=self.user, clean=False)
        revision.publish(user=self.user, skip_permission_checks=True)
        target.refresh_from_db()
        log(
            instance=target,
            action=log_action_names.IMPORT_REPRESENTATIVE,
            user=self.user,
            revision=revision,
            data={
                "directory": self.directory.name,
                "old_email": old_email,
                "new_email": target.email,
                "os_user": self.os_user,
                "created": created,
                "published_match": unpublished_match,
                "superseded_draft": superseded,
            },
        )

    def leave(self, target: Target) -> None:
        """Unpublish a representative a replace removed but keeps on record: no letter
        may reach the address of someone no longer in office."""
        if target.live:
            UnpublishAction(target, user=self.user).execute(skip_permission_checks=True)
        log(
            instance=target,
            action=log_action_names.LEAVE_DIRECTORY,
            user=self.user,
            data={"directory": self.directory.name, "os_user": self.os_user},
        )
