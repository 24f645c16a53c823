package limits

// None is no limit.
const None = 0
