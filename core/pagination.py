from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M`; the answer carries `count` (the total)."""

    page_size_query_param = "page_size"
    max_page_size = 200
