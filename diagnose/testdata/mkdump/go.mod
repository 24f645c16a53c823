module connleak/diagnose/testdata/mkdump

go 1.21
