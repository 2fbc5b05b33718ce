using VoiceBridge.Engines;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private async Task RunToolAsync(EngineEvent call)
    {
        var output = await _tools.InvokeAsync(call.Name ?? "", call.Arguments ?? "", _options.DryRunTools, _stop.Token);
        await _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.ToolResult, Event = call, Text = output });
    }

    private void OnToolResult(EngineEvent call, string output)
    {
        _toolsRunning--;
        Conversation.AddToolCall(new ToolCallRecord(call.CallId!, call.Name ?? "", call.Arguments ?? "", output, _engine?.Name ?? "", NowMs));
        if (call.Generation == _generation && _engine is not null)
        {
            _engine.SubmitToolResult(call.CallId!, output);
        }
    }
}
