"""APA: the Annual Performance Assessment of children's services."""
