// Package roles chooses the IAM role an identity's credentials are issued for
// (the enhanced flow's role resolution: default roles, Token and Rules role
// mappings, SAML role attributes, CustomRoleArn) and the session tags taken
// from the pool's principal-tag attribute maps. It is pure logic over a pool
// and the verified logins of one request: no storage, no I/O.
package roles
