"""One module per Bedrock resource an import creates, each with the same two functions:

    create(bedrock, request, settings) -> loop state     (model_import.loop.started)
    check(bedrock, state, settings) -> loop state        (model_import.loop.checked)

model_import.models dispatches to them by the request's kind (model_import.kinds).
"""
