package awsquery

// faultOf is the <Type> of an error: Receiver for the service's own failures.
func faultOf(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
