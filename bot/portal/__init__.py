"""The consulent portal: gemeente staff pick up handoffs, read the conversation and record what they did."""
