package timevar

var time = 1
