module connleak/diagnose/testdata/calls

go 1.21
