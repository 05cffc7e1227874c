"""Docker swarm secrets: `push` creates them, `rotate` moves a service on.

`naming` holds the shared rules (versioned names, labels, fingerprints),
`engine` is the only module that talks to the docker SDK, `references`
rebuilds a service's secret list and `rollout` watches an update converge.
"""
