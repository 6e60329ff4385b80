"""Lantern: a shared record for children who go missing and are at risk of exploitation."""
