"""The one logger keyclip uses."""

import logging

logger = logging.getLogger("keyclip")
