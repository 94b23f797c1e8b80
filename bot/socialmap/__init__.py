"""The regional social map: HSDS 3.0 data, import and export, search by need and gemeente, front doors."""
