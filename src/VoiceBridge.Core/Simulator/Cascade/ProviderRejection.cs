namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// A simulated provider's refusal of a request: the HTTP status and JSON body (in the provider's
/// error shape) for an HTTP answer; <see cref="Reason"/> for a WebSocket close when there is no HTTP stage.
/// </summary>
public sealed record ProviderRejection(int Status, string JsonBody, string Reason);
