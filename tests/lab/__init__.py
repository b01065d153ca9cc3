"""The network-namespace lab: miniature nodes on a real kernel, assembled into captures."""
