"""Conference pages: what everyone reads (the conference, its agenda and the positions matrix, its calendar) and
what sections and the secretariat do (state and revise positions, endorse, manage the preparation)."""

from liaison.conference.reading_urls import urlpatterns as reading
from liaison.conference.writing_urls import urlpatterns as writing

urlpatterns = [*reading, *writing]
