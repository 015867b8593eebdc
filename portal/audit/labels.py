"""Words for the audit actions of apps that a timeline's owner may not import.

A sale's timeline shows entries written by payments (and later documents, signatures...), but
sales may not import those apps. Each app registers the labels of its actions when it loads.
"""

_LABELS: dict = {}


def audit_labels_register(labels: dict) -> None:
    _LABELS.update(labels)


def audit_action_label(action: str) -> str:
    return str(_LABELS.get(action, action))
