namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// One <c>a=candidate</c> line (RFC 8839 section 5.1): kept for logs and diagnostics. An ICE-lite agent
/// does not check the browser's candidates; it learns the browser's address from its STUN requests.
/// </summary>
/// <param name="Address">An IP literal, or an mDNS name (<c>*.local</c>) when the browser hides its addresses.</param>
public sealed record WebRtcCandidate(
    string Foundation, int Component, string Transport, uint Priority, string Address, int Port, string Type);
