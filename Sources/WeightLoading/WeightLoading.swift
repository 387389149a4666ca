// The WeightLoading module. See ../../Documentation/Architecture.md.
