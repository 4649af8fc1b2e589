from django.db import migrations, models

# Every dispatch of an issue its subscriber already has a receipt for (in that language) is marked received.
MARK_RECEIVED = """
UPDATE distribution_dispatch SET received = TRUE
WHERE EXISTS (
    SELECT 1 FROM distribution_receipt r
    JOIN distribution_subscription s ON s.subscriber_id = r.subscriber_id
    WHERE s.id = distribution_dispatch.subscription_id
      AND r.issue_id = distribution_dispatch.issue_id AND r.language = distribution_dispatch.language
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0002_gap_report_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dispatch",
            name="dispatch_subscription_state",
        ),
        migrations.AddField(
            model_name="dispatch",
            name="received",
            field=models.BooleanField(db_default=False, default=False, verbose_name="received"),
        ),
        migrations.RunSQL(MARK_RECEIVED, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="dispatch",
            index=models.Index(
                condition=models.Q(("received", False)), fields=["subscription", "state"], name="dispatch_unreceived"
            ),
        ),
    ]
