"""Water and sewer (上下水道): the bimonthly billing SUIDO01."""
