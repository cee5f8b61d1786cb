package io.tierflow.tenant.identity;

import java.util.List;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * The sign-in form's users: a tenant's users who have set a password, by their sign-in
 * name ({@code slug/e-mail}). One who has not, or whose tenant is not active, is "not
 * found", which Spring Security answers exactly as a wrong password (and as slowly), so
 * the form tells nobody which accounts exist. The principal is Spring Security's own
 * {@link User}: the authorization service stores it with each authorization, and its
 * tokens' claims are read afresh from {@link Accounts} when they are issued.
 */
class TenantUserDetails implements UserDetailsService {

	private final Accounts accounts;

	TenantUserDetails(Accounts accounts) {
		this.accounts = accounts;
	}

	@Override
	public UserDetails loadUserByUsername(String username) {
		Accounts.UserAccount account = this.accounts.user(username)
			.filter((a) -> a.passwordHash() != null && a.mayHaveTokens())
			.orElseThrow(() -> new UsernameNotFoundException("No such user"));
		return new User(account.signInName(), account.passwordHash(),
				List.of(new SimpleGrantedAuthority("ROLE_" + account.role())));
	}

}
