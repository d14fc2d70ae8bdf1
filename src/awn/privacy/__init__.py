"""Personal data: erasing a customer on request (GDPR Article 17). See docs/privacy.md."""
