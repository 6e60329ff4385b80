"""Children are deliberately not in the Django admin.

The admin would read and change records around the access policy and the audit log (AC1, AD1,
AD4). Children, placements and lead professionals are changed only through people.services, from
the pages in people.views.
"""
