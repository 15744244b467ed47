"""The UNODC goAML format of the reports we file: the XML of a SAR (sar_xml.py), the schema of the subset we
emit (goaml_sar_subset.xsd, validated by schema.py), and the FIU's lookup codes (codes.py)."""
